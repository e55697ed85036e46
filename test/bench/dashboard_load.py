"""Seconds from navigation to a usable dashboard, measured in headless Chromium.

    /usr/bin/python3 dashboard_load.py URL

Usable: the first page of jobs (50 rows, or every job when there are fewer)
is in the table and the event stream is live. Prints the seconds, taken from
the page's own clock (performance.now(), which starts at navigation).
"""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

READY = """
const rows = document.querySelectorAll('#jobs-table tbody tr').length;
const live = document.getElementById('stream-state').textContent === 'live';
return rows >= arguments[0] && live ? performance.now() : null;
"""

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"):
    options.add_argument(argument)
browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    url, rows = sys.argv[1], int(sys.argv[2])
    # A first visit warms the browser itself (its profile, its caches of nothing); the second is measured.
    for _ in range(2):
        browser.get("about:blank")
        browser.get(url)
        milliseconds = WebDriverWait(browser, 60, poll_frequency=0.005).until(lambda b: b.execute_script(READY, rows))
    print(f"{milliseconds / 1000:.4f}")
finally:
    browser.quit()
