package commands

func registerSystem(r *Registry) {}
