"""External alerts: CAP 1.2 feeds polled by the scheduler, each alert an early-warning item."""
