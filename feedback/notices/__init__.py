"""Rectification notices 整改通知: issued, acknowledged, reported, verified or returned, overdue,
escalated and published as a public notice 通报; and whether satisfaction improved after them."""
