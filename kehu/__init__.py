"""kehu — a customer-archive system (客户档案管理系统)."""
