"""Importing customers, orders, payments and communications from CSV and XLSX files."""
