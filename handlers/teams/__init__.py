"""Teams adapter: the Microsoft 365 Agents SDK on /api/messages, Adaptive Cards for the core's results."""
