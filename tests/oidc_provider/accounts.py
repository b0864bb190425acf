"""What the test provider knows, shared by serve.py (which creates it) and the tests (which
create the matching invited people in the app)."""

PASSWORD = "provider-password-1"  # every account's password at the provider

# client id: (client secret, organisation)
CLIENTS = {
    "challenge-police": ("police-client-secret-0123456789", "police"),
    "challenge-council": ("council-client-secret-0123456789", "council"),
}

# username at the provider: e-mail address (the ID token's `email`, with email_verified true)
ACCOUNTS = {
    "reviewer": "reviewer@police.example",
    "stranger": "stranger@police.example",
    "unverified": "reviewer@police.example",
    "officer": "officer@council.example",
    "entra-style": "reviewer@police.example",
    # The provider tampers with these accounts' ID tokens (see validator.py): each claims to be
    # the invited reviewer, so only the tampering can be the reason for a refusal.
    "tamper-audience": "reviewer@police.example",
    "tamper-expired": "reviewer@police.example",
    "tamper-signature": "reviewer@police.example",
}
# Accounts whose address the provider does not vouch for (email_verified false).
UNVERIFIED = {"unverified"}
# Accounts whose ID token has no email_verified claim at all, as Microsoft Entra ID's.
NO_VERIFIED_CLAIM = {"entra-style"}
