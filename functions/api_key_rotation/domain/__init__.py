"""The rotation's rules, free of AWS: which key to create, to publish and to delete."""
