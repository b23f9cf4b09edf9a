"""The web app: pages, the session player and the JSON API, on the service layer."""
