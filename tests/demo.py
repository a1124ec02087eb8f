"""The demo people from seed/demo_accounts.yaml that tests act as, named by what they do."""

from pathlib import Path

DEMO_PASSWORD = "demo-coordination"

SG_CHAIR = "annelies.vercammen@diplobel.example"
SG_SECRETARY = "thomas.delvaux@diplobel.example"
DGB_DIRECTOR = "bart.heylen@diplobel.example"
DGD_DIRECTOR = "isabelle.lambotte@diplobel.example"
AMBASSADOR_KINSHASA = "catherine.lemmens@diplobel.example"
AMBASSADOR_NIAMEY = "olivier.brasseur@diplobel.example"
JUSTICE_MEMBER = "els.moens@justice.fgov.example"
ADIV_ANALYST = "nadia.lambrechts@mil.example"

ROOT = Path(__file__).resolve().parent.parent
