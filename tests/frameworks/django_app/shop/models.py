"""The shop app: one model per kind of value Django stores, and every kind of relation.

Migration history (shop/migrations): 0001 creates the shop; 0002 adds Coupon; 0003 adds
Product.ship_window (a DurationField) and Product.restock_at (a TimeField); 0004 deletes
Coupon. A database migrated through that history (build_source.py stops at 0002 first) keeps
Coupon's content type and permissions, so its content-type and permission ids differ from
those of a database migrated in one go (migrate_empty.py).
"""

import uuid

from django.conf import settings
from django.db import models


class Customer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="customer",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    vip = models.BooleanField(default=False)
    notes = models.TextField(null=True, blank=True)
    born_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    balance = models.DecimalField(max_digits=12, decimal_places=2)
    rating = models.FloatField()
    avatar = models.BinaryField(null=True, blank=True)
    preferences = models.JSONField(null=True, blank=True)

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    def __str__(self):
        return self.name


class Product(models.Model):
    sku = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    weight_kg = models.FloatField()
    active = models.BooleanField(default=True)
    attributes = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    discontinued_on = models.DateField(null=True, blank=True)
    thumbnail = models.BinaryField(default=b"")
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")
    ship_window = models.DurationField(null=True, blank=True)
    restock_at = models.TimeField(null=True, blank=True)

    def __str__(self):
        return self.sku


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    placed_at = models.DateTimeField()
    paid = models.BooleanField(default=False)
    total = models.DecimalField(max_digits=14, decimal_places=4)
    note = models.TextField(null=True, blank=True)
    metadata = models.JSONField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="handled_orders",
    )

    def __str__(self):
        return str(self.id)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lines")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    discount = models.FloatField(default=0.0)

    class Meta:
        unique_together = [("order", "product")]
