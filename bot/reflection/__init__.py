"""Guided reflection with the KS guide's questions: prompt sets, sessions, groups, schedules, data rights."""
