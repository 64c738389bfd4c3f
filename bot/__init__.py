"""lederbot's channel-agnostic core: search, answers, reflection, storage, analytics."""
