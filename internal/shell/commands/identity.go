package commands

func registerIdentity(r *Registry) {}
