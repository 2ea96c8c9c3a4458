"""Content as files: YAML guides, help articles and workspace settings, parsed, validated and
written back. A file adapter: storing what the files say goes through ``guide.services``
(``content_sync`` for push, ``content_export`` for pull), never the database directly."""
