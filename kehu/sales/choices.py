from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderChannel(models.TextChoices):
    STORE = "store", _("Store")
    ONLINE = "online", _("Online shop")
    PHONE = "phone", _("Phone")
    SALES_VISIT = "sales_visit", _("Sales visit")
    DISTRIBUTOR = "distributor", _("Distributor")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Bank card")
    TRANSFER = "transfer", _("Bank transfer")
    WECHAT_PAY = "wechat_pay", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CREDIT = "credit", _("On credit")
    OTHER = "other", _("Other")


class OrderStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Cancelled")


# Orders in these states no longer count towards spend, frequency or recency.
VOID_ORDER_STATUSES = frozenset({OrderStatus.REFUNDED, OrderStatus.CANCELLED})


AGEING_BUCKETS = (
    ("current", _("Not yet due"), None, 0),
    ("1_30", _("1–30 days"), 1, 30),
    ("31_60", _("31–60 days"), 31, 60),
    ("61_90", _("61–90 days"), 61, 90),
    ("90_plus", _("Over 90 days"), 91, None),
)
