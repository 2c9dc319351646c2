"""markers_app fixture application."""
