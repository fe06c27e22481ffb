"""Use cases for organisations, programmes and sites, in one place for the adapters: platform
administrators change them; members read them. REST and GraphQL both call these. Each lives
in the module named for what it works on; this one only gathers them."""

from __future__ import annotations

from domain.tenancy.organisations import (
    create_organisation,
    delete_organisation,
    get_organisation,
    list_organisations,
    organisations_by_ids,
    update_organisation,
)
from domain.tenancy.programmes import (
    add_programme_member,
    create_programme,
    delete_programme,
    get_programme,
    list_programme_members,
    list_programmes,
    programme_members_by_ids,
    programmes_by_ids,
    remove_programme_member,
    update_programme,
)
from domain.tenancy.sites import (
    create_site,
    delete_site,
    get_site,
    list_sites,
    sites_by_ids,
    update_site,
)

__all__ = [
    "add_programme_member",
    "create_organisation",
    "create_programme",
    "create_site",
    "delete_organisation",
    "delete_programme",
    "delete_site",
    "get_organisation",
    "get_programme",
    "get_site",
    "list_organisations",
    "list_programme_members",
    "list_programmes",
    "list_sites",
    "organisations_by_ids",
    "programme_members_by_ids",
    "programmes_by_ids",
    "remove_programme_member",
    "sites_by_ids",
    "update_organisation",
    "update_programme",
    "update_site",
]
