package commands

func registerFileutils(r *Registry) {}
