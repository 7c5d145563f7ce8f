"""QR codes and printable desk cards (台牌)."""
