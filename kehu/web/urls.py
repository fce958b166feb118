"""Web UI routes.

`kehu.urls` includes this module without a namespace, so the auth and language views
keep Django's plain names (`login`, `logout`, `set_language`, which settings and the
auth machinery reverse), while every page of the app lives under the `web:` namespace.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from kehu.web.views import (
    activity,
    audit,
    catalogue,
    customers,
    dashboard,
    imports,
    insights,
    links,
    money,
    orders,
    privacy,
    scoring,
    segments,
    service,
    settings,
    two_factor,
    users,
)

web_patterns = [
    path("", customers.home_view, name="home"),
    path("customers/", customers.customer_list_view, name="customer-list"),
    path("customers/new/person/", customers.customer_create_view, {"kind": "person"}, name="person-create"),
    path(
        "customers/new/organization/",
        customers.customer_create_view,
        {"kind": "organization"},
        name="organization-create",
    ),
    path("customers/pick/", links.customer_pick_view, name="customer-pick"),
    path("customers/<int:pk>/", customers.customer_detail_view, name="customer-detail"),
    path("customers/<int:pk>/edit/", customers.customer_edit_view, name="customer-edit"),
    path("customers/<int:pk>/family/link/", links.family_link_view, name="family-link"),
    path("customers/<int:pk>/family/new-person/", links.family_new_person_view, name="family-new-person"),
    path("customers/<int:pk>/relationships/add/", links.relationship_add_view, name="relationship-add"),
    path(
        "customers/<int:pk>/relationships/<int:item>/delete/",
        links.relationship_delete_view,
        name="relationship-delete",
    ),
    path("customers/<int:pk>/<str:block>/form/<str:which>/", links.block_form_view, name="block-form"),
    path("customers/<int:pk>/key-people/add/", links.key_person_add_view, name="key-person-add"),
    path("customers/<int:pk>/key-people/new-person/", links.key_person_new_view, name="key-person-new"),
    *[
        route
        for block in links.BLOCKS
        for route in (
            path(f"customers/<int:pk>/{block}/add/", links.link_add_view, {"block": block}, name=f"{block}-add"),
            path(
                f"customers/<int:pk>/{block}/<int:item>/edit/",
                links.link_edit_view,
                {"block": block},
                name=f"{block}-edit",
            ),
            path(
                f"customers/<int:pk>/{block}/<int:item>/delete/",
                links.link_delete_view,
                {"block": block},
                name=f"{block}-delete",
            ),
        )
    ],
    path("customers/<int:pk>/reveal/", privacy.reveal_view, name="reveal"),
    path("customers/<int:pk>/consents/add/", privacy.consent_add_view, name="consent-add"),
    path("customers/<int:pk>/consents/<int:item>/withdraw/", privacy.consent_withdraw_view, name="consent-withdraw"),
    path("customers/<int:pk>/requests/open/", privacy.request_open_view, name="request-open"),
    path("privacy/requests/", privacy.request_list_view, name="privacy-requests"),
    path("audit/", audit.audit_log_view, name="audit-log"),
    path("audit/export.csv", audit.audit_export_view, name="audit-export"),
    path("privacy/requests/<int:item>/", privacy.request_close_view, name="privacy-request"),
    path(
        "privacy/requests/<int:item>/copy.<str:fmt>",
        privacy.request_export_view,
        name="privacy-request-export",
    ),
    path("customers/<int:pk>/timeline/", activity.timeline_view, name="timeline"),
    path("customers/<int:pk>/communications/log/", activity.interaction_log_view, name="interaction-log"),
    path("customers/<int:pk>/communications/<int:item>/", activity.interaction_edit_view, name="interaction-edit"),
    path("customers/<int:pk>/orders/", orders.order_list_view, name="order-list"),
    path("customers/<int:pk>/orders/new/", orders.order_create_view, name="order-create"),
    path("customers/<int:pk>/orders/<int:item>/", orders.order_detail_view, name="order-detail"),
    path("customers/<int:pk>/orders/<int:item>/refund/", orders.order_refund_view, name="order-refund"),
    path("customers/<int:pk>/orders/<int:item>/cancel/", orders.order_cancel_view, name="order-cancel"),
    path("customers/<int:pk>/payments/new/", money.payment_create_view, name="payment-create"),
    path("customers/<int:pk>/receivables/new/", money.receivable_create_view, name="receivable-create"),
    path("customers/<int:pk>/credit-incidents/add/", money.credit_incident_add_view, name="credit-incident-add"),
    path("customers/<int:pk>/service/", service.service_list_view, name="service-list"),
    path("customers/<int:pk>/service/new/", service.service_create_view, name="service-create"),
    path("customers/<int:pk>/service/<int:item>/edit/", service.service_edit_view, name="service-edit"),
    path("customers/<int:pk>/tier-override/", insights.tier_override_view, name="tier-override"),
    path("customers/<int:pk>/tier-override/end/", insights.tier_override_end_view, name="tier-override-end"),
    path("catalogue/", catalogue.product_list_view, name="product-list"),
    path("catalogue/new/", catalogue.product_edit_view, name="product-create"),
    path("catalogue/<int:pk>/edit/", catalogue.product_edit_view, name="product-edit"),
    path("segments/", segments.segment_list_view, name="segment-list"),
    path("segments/new/", segments.segment_create_view, name="segment-create"),
    path("segments/<int:pk>/", segments.segment_detail_view, name="segment-detail"),
    path("segments/<int:pk>/edit/", segments.segment_edit_view, name="segment-edit"),
    path("segments/<int:pk>/delete/", segments.segment_delete_view, name="segment-delete"),
    path("segments/<int:pk>/export.csv", segments.segment_export_view, name="segment-export"),
    path("insights/", scoring.scoring_view, name="insights"),
    path("insights/dashboard/", dashboard.dashboard_view, name="dashboard"),
    path("insights/tiers/", scoring.tiers_define_view, name="tiers-define"),
    path("insights/runs/", scoring.scoring_start_view, name="scoring-start"),
    path("insights/runs/status/", scoring.scoring_status_view, name="scoring-status"),
    path("import/", imports.import_view, name="import"),
    path("import/runs/<int:item>/", imports.import_run_view, name="import-run"),
    path("import/runs/<int:item>/progress/", imports.import_progress_view, name="import-progress"),
    path("settings/custom-fields/", settings.custom_field_list_view, name="custom-field-list"),
    path("settings/custom-fields/new/", settings.custom_field_create_view, name="custom-field-create"),
    path("settings/custom-fields/<int:pk>/edit/", settings.custom_field_edit_view, name="custom-field-edit"),
    path("settings/api-tokens/", settings.api_token_list_view, name="api-token-list"),
    path("settings/users/", users.user_list_view, name="user-list"),
    path("settings/users/<int:pk>/", users.user_edit_view, name="user-edit"),
    path("settings/users/<int:pk>/password/", users.user_password_view, name="user-password"),
    path("settings/api-tokens/<int:pk>/revoke/", settings.api_token_revoke_view, name="api-token-revoke"),
    path("settings/two-factor/", two_factor.two_factor_view, name="two-factor"),
    path("settings/two-factor/users/", two_factor.two_factor_users_view, name="two-factor-users"),
    path("settings/two-factor/users/<int:pk>/reset/", two_factor.two_factor_reset_view, name="two-factor-reset"),
]

urlpatterns = [
    path("login/", two_factor.SignInView.as_view(), name="login"),
    path("login/two-factor/", two_factor.sign_in_code_view, name="login-two-factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include((web_patterns, "web"))),
]
