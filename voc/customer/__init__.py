"""Customers and their accounts."""
