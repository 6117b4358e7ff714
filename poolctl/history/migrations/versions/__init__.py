"""The history store's revisions, oldest first."""
