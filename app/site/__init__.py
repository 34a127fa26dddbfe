"""The public site: the home page, search across the directory, the language switcher."""
