"""The engagement event log, public event pages and the monthly monitoring report."""
