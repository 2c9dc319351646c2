"""groups_app fixture application."""
