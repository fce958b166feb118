"""Who may do what: the one place role rules live.

Customer *visibility* is `kehu.customers.selectors.visible_to`, built on `sees_all_customers`.
"""

from __future__ import annotations

from kehu.accounts.models import Role, User

_SEE_ALL = {Role.ADMINISTRATOR, Role.ARCHIVE_MANAGER, Role.ANALYST}
_WRITE = {Role.ADMINISTRATOR, Role.ARCHIVE_MANAGER, Role.SALES, Role.SERVICE}
_CONFIGURE = {Role.ADMINISTRATOR, Role.ARCHIVE_MANAGER}


def role_of(user: User) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    return user.role


def sees_customers(user: User) -> bool:
    """Everyone signed in works with customer files, except an auditor, who reads the log."""
    return role_of(user) not in (None, Role.AUDITOR)


def may_read_audit_log(user: User) -> bool:
    """Searching and exporting the audit log: administrators and auditors."""
    return role_of(user) in {Role.ADMINISTRATOR, Role.AUDITOR}


def sees_all_customers(user: User) -> bool:
    return role_of(user) in _SEE_ALL


def may_write_customers(user: User) -> bool:
    return role_of(user) in _WRITE


def may_configure(user: User) -> bool:
    """Custom fields, tags, teams: the archive's shape."""
    return role_of(user) in _CONFIGURE


def may_define_segments(user: User) -> bool:
    """Saving segments (客户群): everyone who works with customers, analysts included."""
    return role_of(user) in _WRITE | _SEE_ALL


def may_export_customers(user: User) -> bool:
    """Downloading member lists (personal data leaving kehu, always audited); service
    staff work customer by customer and do not take lists away."""
    return role_of(user) in {Role.ADMINISTRATOR, Role.ARCHIVE_MANAGER, Role.SALES, Role.ANALYST}


def may_assign_owner(user: User) -> bool:
    return role_of(user) in _CONFIGURE


def may_delete_customers(user: User) -> bool:
    """Deleting a file is for managers; staff archive instead."""
    return role_of(user) in _CONFIGURE


def is_administrator(user: User) -> bool:
    return role_of(user) == Role.ADMINISTRATOR


def must_use_two_factor(user: User) -> bool:
    """Administrators hold every key to the archive: a password alone is not enough for them."""
    return is_administrator(user)


def may_reset_two_factor(user: User) -> bool:
    return is_administrator(user)
