"""Content as files: YAML guides and workspace settings, validated and pushed."""
