package commands

func registerMisc(r *Registry) {}
