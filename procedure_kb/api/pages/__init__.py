"""Server-rendered staff pages (Jinja2, plain forms, no front-end build)."""
