"""A simulated classroom: real browser-like sessions against a Streamlit app on 127.0.0.1.

``http`` (a small keep-alive HTTP/1.1 client with a cookie jar), ``assets`` (which
static files a browser fetches), ``protocol`` (Streamlit's websocket protocol),
``scenario`` (what one student does), ``servers`` (starting the set-ups under test),
``report`` (percentiles, RSS, load average). The command is ``benchmarks/classroom_load.py``.
"""
