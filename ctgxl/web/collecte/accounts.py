"""Coordinators' accounts: Django's users, the e-mail address as the login."""

from __future__ import annotations


class AccountError(ValueError):
    """A refused password or address, in French."""


def create_or_update(email: str, password: str) -> bool:
    """Create the account (True), or set a new password if it exists (False)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise AccountError(f"« {email} » n'est pas une adresse électronique.") from None
    users = get_user_model()
    user = users.objects.filter(username=email).first()
    candidate = user or users(username=email, email=email)
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        raise AccountError("Mot de passe refusé : " + " ".join(error.messages)) from None
    candidate.set_password(password)
    candidate.save()
    return user is None
