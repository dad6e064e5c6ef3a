"""The only package that knows eventsourcing: mapper, application and store settings."""
