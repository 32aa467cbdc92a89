"""The demo partner tokens seeded into PartnerTokens (seed/demo.json holds their SHA-256 only; README lists them).

acme: sources acme-pos and acme-web, scopes ingest and results; globex: source globex-iot, scope ingest only;
initech: revoked.
"""

from __future__ import annotations

ACME = "ptk_D1Ymsy8kO_ApKCD1_G9arXkUxb3lt0YXVu6FrvwHdu4"
GLOBEX = "ptk_ZckMJMkkxdLQMQsQ-3eVEQVvv4uoybNgWsWrItZWCPI"
INITECH = "ptk_ikLzG2o6Fx0JgYE5jiBa7pjpMjGw-SImY1cOSDWAl28"
