"""The application: one App per process, a Scope per actor, and the calls every front door makes.

The CLI, the web app and the tests all call these; the permission check lives here, once.
"""
