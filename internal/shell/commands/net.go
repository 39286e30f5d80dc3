package commands

func registerNet(r *Registry) {}
