"""HR usage: the leader register, aggregate figures with small-group suppression, reports."""
