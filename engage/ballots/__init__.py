"""Participatory budgeting ballots: funding pots, projects, voter codes, the roll and the ballot box."""
