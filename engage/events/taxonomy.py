"""The Community Cohesion Programme's objectives and common audiences, preloaded for every organisation.

Stored as data (not catalogue messages) because admins may rename them or add their own.
"""
from __future__ import annotations

THEMES = [
    ("1.1", "Prif ffrydio drwy hyfforddiant ac ymwybyddiaeth", "Mainstreaming through training and awareness"),
    ("1.2", "Cysylltu cymunedau a chyrff cyhoeddus", "Conduits between communities and public bodies"),
    ("1.3", "Gwelededd y rhaglen", "Visibility of the programme"),
    ("2.1", "Allgymorth hygyrch a chynhwysol", "Accessible and inclusive outreach"),
    ("2.2", "Ysgolion a lleoliadau addysg", "Schools and educational settings"),
    ("2.3", "Cynnwys cymunedau sydd ar y cyrion", "Inclusion of marginalised communities"),
    ("3.1", "Tensiynau cymunedol", "Community tensions"),
    ("3.2", "Grantiau bach", "Small grants"),
    ("3.3", "Cyllid ychwanegol", "Additional funding"),
]

AUDIENCES = [
    ("young_people", "Pobl ifanc", "Young people"),
    ("older_people", "Pobl hŷn", "Older people"),
    ("ethnic_minority", "Cymunedau lleiafrifoedd ethnig", "Ethnic minority communities"),
    ("refugees", "Ffoaduriaid a cheiswyr lloches", "Refugees and asylum seekers"),
    ("grt", "Cymunedau Sipsiwn, Roma a Theithwyr", "Gypsy, Roma and Traveller communities"),
    ("disabled", "Pobl anabl", "Disabled people"),
    ("lgbtq", "Pobl LHDTC+", "LGBTQ+ people"),
    ("faith", "Grwpiau ffydd", "Faith groups"),
    ("rural", "Trigolion gwledig neu ynysig", "Rural or isolated residents"),
    ("schools", "Ysgolion", "Schools"),
]
