"""The audit log: who changed what, written by services, read by admins."""
