"""path_git_app fixture application."""
