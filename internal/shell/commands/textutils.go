package commands

func registerTextutils(r *Registry) {}
