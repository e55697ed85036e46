"""The dashboard in headless Chromium against a real jobsched server.

Each case drives the page as a person would (clicks, typing) and checks what
the page shows and what the server and the job processes did. Run through
test/browser/run; a screenshot of each case is saved in $BROWSER_TEST_OUTPUT.
"""
import json
import os
import shutil
import signal
import sys
import subprocess
import tempfile
import time
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BINARY = os.environ["JOBSCHED"]
OUTPUT = os.environ["BROWSER_TEST_OUTPUT"]
# Generous: a loaded 2-core machine runs the browser, the server and the jobs.
TIMEOUT = 30


# The webhook receiver the Swift tests use: records POSTs, answers as told.
RECEIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "webhook-receiver")


class Server:
    """A jobsched process on a free port with its own database in a temporary directory."""

    def __init__(self, *args, token=None, token_lines=None):
        self.directory = tempfile.mkdtemp(prefix="jobsched-browser.")
        self.token = token
        if token_lines:
            # A token file with names and roles; curl uses `token`, one of them.
            path = os.path.join(self.directory, "tokens")
            with open(path, "w") as tokens:
                tokens.write("\n".join(token_lines) + "\n")
            args = (*args, "--token-file", path)
        environment = dict(os.environ)
        environment.pop("JOBSCHED_TOKEN", None)
        if token and not token_lines:
            environment["JOBSCHED_TOKEN"] = token
        self.log = open(os.path.join(self.directory, "server.log"), "w")
        self.process = subprocess.Popen(
            [BINARY, "-p", "0", "-d", os.path.join(self.directory, "jobs.sqlite"), *args],
            stdout=subprocess.PIPE, stderr=self.log, env=environment, cwd=self.directory, text=True)
        line = self.process.stdout.readline()
        if not line.startswith(("listening on http://", "listening on https://")):
            self.stop()
            raise RuntimeError(f"server did not start: {line!r}")
        self.url = line.split()[-1]
        # --tls-self-signed: curl trusts the certificate the server made.
        self.trust = ["--cacert", os.path.join(self.directory, "jobs.sqlite.tls", "cert.pem")] if self.url.startswith("https") else []

    def curl(self, path, *fields):
        """POSTs form fields (NAME=VALUE, URL-encoded by curl) with the token; returns (status, body)."""
        auth = ["-H", f"Authorization: Bearer {self.token}"] if self.token else []
        data = [arg for field in fields for arg in ("--data-urlencode", field)]
        done = subprocess.run(["curl", "-sS", "-m", "60", "-w", "\n%{http_code}", *self.trust, *auth, *data, self.url + path],
                              capture_output=True, text=True, check=True)
        body, _, status = done.stdout.rpartition("\n")
        return int(status), body

    def submit(self, command, *fields):
        status, body = self.curl("/submit?sync=0&format=json", f"command={command}", *fields)
        assert status == 200, body
        return json.loads(body)["jobid"]

    def job(self, job_id):
        status, body = self.curl(f"/jobinfo?jobid={job_id}&format=json")
        assert status == 200, body
        return json.loads(body)["jobs"][0]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def start_browser(insecure_certificates=False):
    options = webdriver.ChromeOptions()
    # A self-signed certificate: what a user accepts once, the test accepts here.
    options.accept_insecure_certs = insecure_certificates
    options.binary_location = "/usr/bin/chromium"
    # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1100"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class DashboardTest(unittest.TestCase):
    server_arguments = ("-j", "2")
    token = None

    def setUp(self):
        self.server = Server(*self.server_arguments, token=self.token)
        self.addCleanup(self.server.stop)
        self.browser = start_browser()
        self.addCleanup(self.browser.quit)
        # Runs first (cleanups run last-in first-out): the page as the case left it, pass or fail.
        self.addCleanup(lambda: self.browser.save_screenshot(os.path.join(OUTPUT, self._testMethodName + ".png")))

    # Helpers

    def until(self, condition, message, timeout=TIMEOUT):
        """Waits for condition() to be true; DOM reads may hit an element being replaced: try again."""
        def check(_):
            try:
                return condition()
            except Exception:
                return False
        return WebDriverWait(self.browser, timeout, poll_frequency=0.05).until(check, message)

    def element(self, css):
        return self.browser.find_element(By.CSS_SELECTOR, css)

    def open_page(self):
        self.browser.get(self.server.url + "/")

    def wait_until_live(self):
        self.until(lambda: self.element("#stream-state").text == "live", "the event stream never went live")

    def row(self, job_id):
        rows = self.browser.find_elements(By.CSS_SELECTOR, f'#jobs-table tr[data-jobid="{job_id}"]')
        return rows[0] if rows else None

    def row_status(self, job_id):
        row = self.row(job_id)
        return row.find_element(By.CSS_SELECTOR, ".status").text if row else None

    def open_job(self, job_id):
        self.until(lambda: self.row(job_id) is not None, f"job {job_id} never appeared")
        self.row(job_id).click()
        self.until(lambda: self.element("#job-detail").is_displayed()
                   and f"{job_id}" in self.element("#job-title").text, f"job {job_id}'s detail never opened")

    def console_errors(self):
        return [entry for entry in self.browser.get_log("browser") if entry["level"] == "SEVERE"]

    def make_gate(self):
        """A file a job waits for; the test creates it to let the job go on."""
        path = os.path.join(self.server.directory, f"gate-{time.monotonic_ns()}")
        return path, f"while [ ! -e {path} ]; do sleep 0.05; done"

    # Cases

    def test_page_loads_without_console_errors(self):
        # A bit of everything, as a real queue has (this case's screenshot is the README's).
        self.server.curl("/group", "name=nightly", "limit=1")
        jobs = [self.server.submit(command, f"name={name}", f"group={group}") for command, name, group in (
            ("make -C /nonexistent", "build", "ci"), ("true", "lint", "ci"), ("exit 3", "flaky-test", "ci"),
            ("sleep 300", "backup", "nightly"), ("sleep 301", "report", "nightly"), ("sleep 302", "deploy", "ci"),
            ("true", "archive", "nightly"))]
        self.server.curl("/wait", "jobid=" + ",".join(map(str, jobs[:3])))
        self.server.curl("/kill", f"jobid={jobs[5]}")
        self.server.curl("/wait", f"jobid={jobs[5]}")
        self.open_page()
        self.wait_until_live()
        self.until(lambda: self.element('[data-count="success"]').text == "3", "the overview never counted 3 successes")
        self.assertEqual([self.element(f'[data-count="{status}"]').text for status in ("queued", "running", "killed")],
                         ["2", "1", "1"])
        self.assertIn("1 / 2", self.element("#running-summary").text)
        # The pictures are right on a fresh load: the jobs that finished before it are drawn.
        status, body = self.server.curl("/overview?format=json")
        most = max(json.loads(body)["activity"]["finished"])
        self.assertGreaterEqual(most, 1)
        self.assertIn(f"highest {most}", self.element("#chart-finished").get_attribute("aria-label"))
        self.assertEqual([self.row_status(job_id) for job_id in jobs],
                         ["success", "success", "success", "running", "queued", "killed", "queued"])
        self.assertIn("nonzero", self.row(jobs[2]).find_element(By.CSS_SELECTOR, ".col-rc *").get_attribute("class"))
        self.assertEqual(self.console_errors(), [])

    def test_a_job_submitted_with_curl_appears_at_once_and_changes_status(self):
        self.open_page()
        self.wait_until_live()
        gate, wait_for_gate = self.make_gate()
        job_id = self.server.submit(wait_for_gate)
        submitted = time.monotonic()
        self.until(lambda: self.row(job_id) is not None, "the job never appeared", timeout=1.0)
        print(f"\n  job {job_id} appeared {time.monotonic() - submitted:.3f} s after curl's reply", end=" ")
        self.until(lambda: self.row_status(job_id) == "running", "the job never showed as running")
        open(gate, "w").close()
        self.until(lambda: self.row_status(job_id) == "success", "the job never showed as success")
        self.assertEqual(self.server.job(job_id)["status"], "success")
        self.assertEqual(self.console_errors(), [])

    def test_jobs_removed_with_curl_leave_the_table_and_the_counts(self):
        jobs = [self.server.submit("true") for _ in range(5)]
        self.server.curl("/wait", "jobid=" + ",".join(map(str, jobs)))
        self.open_page()
        self.wait_until_live()
        self.until(lambda: all(self.row_status(job_id) == "success" for job_id in jobs), "the jobs never showed")
        self.open_job(jobs[1])
        # One `removed` event with the ids as ranges ([[first, last], ...]) takes the rows away.
        self.server.curl("/remove", f"jobid={jobs[1]},{jobs[2]},{jobs[4]}")
        self.until(lambda: [self.row(job_id) is not None for job_id in jobs] == [True, False, False, True, False],
                   "the removed jobs' rows stayed")
        self.until(lambda: not self.element("#job-detail").is_displayed(), "the removed job's detail stayed open")
        self.until(lambda: self.element('[data-count="success"]').text == "2", "the overview still counts them")
        self.server.curl("/clean")
        self.until(lambda: all(self.row(job_id) is None for job_id in jobs), "the cleaned jobs' rows stayed")
        self.assertEqual(self.console_errors(), [])

    def test_the_kill_button_kills_a_running_job(self):
        job_id = self.server.submit("sleep 300")
        self.open_page()
        self.until(lambda: self.row_status(job_id) == "running", "the job never showed as running")
        pid = self.server.job(job_id)["pid"]
        self.open_job(job_id)
        self.until(lambda: self.element("#job-kill").is_enabled(), "kill is not offered for a running job")
        self.element("#job-kill").click()
        self.until(lambda: self.row_status(job_id) == "killed", "the job never showed as killed")
        self.assertEqual(self.server.job(job_id)["status"], "killed")
        with self.assertRaises(ProcessLookupError):
            os.kill(pid, 0)
        self.until(lambda: not self.element("#job-kill").is_enabled(), "kill is still offered for a killed job")

    def test_the_output_pane_follows_a_running_job(self):
        gate, wait_for_gate = self.make_gate()
        job_id = self.server.submit(f"echo first-line; {wait_for_gate}; echo second-line; echo oops >&2")
        self.open_page()
        self.open_job(job_id)
        self.until(lambda: "first-line" in self.element("#output").text, "the output so far never showed")
        self.assertNotIn("second-line", self.element("#output").text)
        open(gate, "w").close()
        self.until(lambda: "second-line" in self.element("#output").text, "the new output never showed")
        self.until(lambda: "oops" in self.element("#output").text, "stderr never showed in 'both'")
        self.until(lambda: self.row_status(job_id) == "success", "the job never ended")

    def test_the_submit_form_creates_a_job(self):
        self.open_page()
        self.wait_until_live()
        self.element("#submit-command").send_keys("echo from the form")
        self.element("#submit-name").send_keys("formjob")
        self.element("#submit-group").send_keys("web")
        self.element("#submit-button").click()
        self.until(lambda: "submitted" in self.element("#message").text, "no confirmation")
        status, body = self.server.curl("/jobinfo?name=formjob&all=1&format=json")
        jobs = json.loads(body)["jobs"]
        self.assertEqual(len(jobs), 1)
        self.assertEqual((jobs[0]["command"], jobs[0]["group"]), ("echo from the form", "web"))
        self.until(lambda: self.row_status(jobs[0]["jobid"]) == "success", "the new job never showed as success")
        self.assertEqual(self.element("#submit-command").get_attribute("value"), "")

    def test_pause_and_resume_a_group(self):
        job_id = self.server.submit("sleep 300", "group=nightly")
        self.open_page()
        self.until(lambda: self.row_status(job_id) == "running", "the job never showed as running")
        button_css = '#groups tr[data-group="nightly"] .group-toggle'
        self.until(lambda: self.element(button_css).text == "Pause", "no pause button for the group")
        self.element(button_css).click()
        self.until(lambda: self.element(button_css).text == "Resume", "the button never turned to Resume")
        self.assertTrue(self.group_settings("nightly")["paused"])
        queued = self.server.submit("true", "group=nightly")
        self.until(lambda: self.row_status(queued) == "queued", "a job of the paused group is not queued")
        self.element(button_css).click()
        self.until(lambda: self.element(button_css).text == "Pause", "the button never turned back to Pause")
        self.assertFalse(self.group_settings("nightly")["paused"])
        self.until(lambda: self.row_status(queued) == "success", "the resumed group's job never ran")

    def test_keyboard_and_a_phone_width_window(self):
        job_id = self.server.submit("echo typed")
        self.browser.set_window_size(360, 800)
        self.open_page()
        self.until(lambda: self.row_status(job_id) == "success", "the job never showed")
        # The page itself never scrolls sideways on a phone (the jobs table may, inside its box).
        self.assertLessEqual(self.browser.execute_script("return document.documentElement.scrollWidth"),
                             self.browser.execute_script("return document.documentElement.clientWidth"))
        # A row is reached with the keyboard and opened with Enter.
        self.browser.execute_script("arguments[0].focus()", self.row(job_id))
        self.browser.switch_to.active_element.send_keys(Keys.ENTER)
        self.until(lambda: self.element("#job-detail").is_displayed(), "Enter did not open the job")
        self.until(lambda: "typed" in self.element("#output").text, "the job's output never showed")

    def test_group_names_and_figures_stay_whole_at_1280_600_and_390_pixels(self):
        # The names: "default" showed as "defau / lt", "dashgrp6454199280" as "dash / grp64 / 5419 / 9280".
        names = ["default", "dashgrp6454199280", "nightly-integration"]
        for name in names:
            self.server.curl("/group", f"name={name}", "limit=12")
            self.server.submit("true", f"group={name}")
        self.open_page()
        for width in (1280, 600, 390):
            self.browser.set_window_size(width, 1000)
            self.until(lambda: [self.browser.execute_script("return arguments[0].dataset.group", row) for row in
                                self.browser.find_elements(By.CSS_SELECTOR, "#groups tbody tr")] == sorted(names),
                       "the groups never showed")
            self.browser.save_screenshot(os.path.join(OUTPUT, f"{self._testMethodName}-{width}.png"))
            layout = self.browser.execute_script("""
                // Every line box of a cell's text, by its top: a word broken over lines has several.
                const lines = (cell) => {
                  const tops = new Set();
                  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
                  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    const range = document.createRange();
                    range.selectNodeContents(node);
                    for (const rect of range.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top));
                  }
                  return tops.size;
                };
                const box = document.querySelector('#overview .table-scroll');
                return {
                  cells: [...document.querySelectorAll('#groups tbody th, #groups tbody td')].map((cell) =>
                    ({ text: cell.textContent, lines: lines(cell), fits: cell.scrollWidth <= cell.clientWidth })),
                  box: [box.scrollWidth, box.clientWidth],
                  page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
                };""")
            broken = [cell for cell in layout["cells"] if cell["lines"] != 1 or not cell["fits"]]
            self.assertEqual(broken, [], f"cells broken over lines or cut at {width} px: {layout}")
            self.assertIn({"text": "dashgrp6454199280", "lines": 1, "fits": True}, layout["cells"])
            # No scrollbar inside the card, and the page itself does not scroll sideways.
            self.assertLessEqual(layout["box"][0], layout["box"][1], f"the groups table scrolls at {width} px")
            self.assertLessEqual(layout["page"][0], layout["page"][1], f"the page scrolls sideways at {width} px")

    def test_invisible_characters_show_visibly_and_do_not_reorder_text(self):
        name, group, command = "ab\u202eXYZ", "g\u2066rp", "echo \u200bhidden"
        job_id = self.server.submit(command, f"name={name}", f"group={group}")
        self.open_page()
        self.until(lambda: self.row_status(job_id) == "success", "the job never showed")
        cells = self.row(job_id).find_elements(By.CSS_SELECTOR, ".col-name, .col-group, .col-command")
        self.assertEqual([cell.get_attribute("textContent") for cell in cells],
                         ["ab\\u202eXYZ", "g\\u2066rp", "echo \\u200bhidden"])
        self.assertEqual(len(self.row(job_id).find_elements(By.CSS_SELECTOR, ".hidden-char")), 3)
        # Shown in its own order: X left of Y left of Z, not reversed by the override.
        order = self.browser.execute_script("""
            const cell = arguments[0], lefts = {};
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              for (let i = 0; i < node.length; i++) {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                if ('XYZ'.includes(node.data[i])) lefts[node.data[i]] = range.getBoundingClientRect().left;
              }
            }
            return [lefts.X, lefts.Y, lefts.Z];""", cells[0])
        self.assertLess(order[0], order[1], order)
        self.assertLess(order[1], order[2], order)
        # The group row, the detail's title and fields: escapes, and no raw character elsewhere on the page.
        self.until(lambda: self.element(f'#groups tr[data-group="{group}"] th').text == "g\\u2066rp", "the group row")
        self.open_job(job_id)
        self.until(lambda: self.element('#job-fields dd[data-field="name"]').text == "ab\\u202eXYZ", "the name field")
        self.assertEqual(self.element("#job-title").text, f"Job {job_id} — ab\\u202eXYZ")
        self.assertEqual(self.element('#job-fields dd[data-field="command"]').text, "echo \\u200bhidden")
        # (The output pane shows the job's output as it is, as /output and `jobsched log` do.)
        page = self.browser.execute_script(
            "return document.body.innerText.replace(document.getElementById('output').innerText, '')")
        self.assertFalse(any(character in page for character in "\u202e\u2066\u200b"), page)
        self.assertEqual(self.console_errors(), [])

    def test_resources_show_as_bars_and_the_form_asks_for_them(self):
        # A server that hands out cpus, memory and GPUs instead of the default one.
        self.server.stop()
        self.server = Server("-j", "4", "--cpus", "4", "--mem", "8G", "--gpus", "0,1", token=self.token)
        self.addCleanup(self.server.stop)
        self.open_page()
        self.wait_until_live()
        used = lambda name: self.element(f'#resources [data-resource="{name}"] .resource-used').text
        self.until(lambda: [used(name) for name in ("cpus", "mem", "gpus")] == ["0 / 4", "0 / 8.0G", "0 / 2"], "no resource bars")
        gate, wait_for_gate = self.make_gate()
        self.element("#submit-command").send_keys(wait_for_gate)
        self.element("#submit-cpus").send_keys("2")
        self.element("#submit-mem").send_keys("1G")
        self.element("#submit-gpus").send_keys("1")
        self.element("#submit-button").click()
        self.until(lambda: "submitted" in self.element("#message").text, "no confirmation")
        job_id = int(self.element("#message").text.split()[1])
        job = self.server.job(job_id)
        self.assertEqual((job["cpus"], job["mem"], job["gpus"]), (2, 1 << 30, 1))
        self.until(lambda: [used(name) for name in ("cpus", "mem", "gpus")] == ["2 / 4", "1.0G / 8.0G", "1 / 2"],
                   "the bars never showed the running job's share")
        self.assertEqual(self.element('#resources [data-resource="gpus"] meter').get_attribute("value"), "1")
        self.open_job(job_id)
        self.until(lambda: self.element('[data-field="gpu_ids"]').text == "0", "the job's GPU never showed")
        self.assertEqual(self.element('[data-field="mem"]').text, "1.0G")
        open(gate, "w").close()
        self.until(lambda: used("gpus") == "0 / 2" and used("cpus") == "0 / 4", "the bars never went back to 0")
        self.assertEqual(self.console_errors(), [])

    def test_job_detail_shows_durations_in_seconds(self):
        job_id = self.server.submit("sleep 0.3", "timeout=90", "retry_delay=0.5")
        self.server.curl("/wait", f"jobid={job_id}")
        self.open_page()
        self.open_job(job_id)
        field = lambda key: self.element(f'#job-fields dd[data-field="{key}"]').text
        # Numbers of seconds in the JSON, shown as durations (0.3 s and a little more on a busy machine).
        self.until(lambda: field("runtime").startswith("0."), "the runtime never showed")
        self.assertRegex(field("runtime"), r"^0\.[3-9] s$")
        self.assertEqual((field("timeout"), field("retry_delay")), ("90 s", "0.5 s"))
        self.assertRegex(field("cpu_user"), r"^[0-9.]+ s$")

    def test_the_form_takes_a_notify_url_and_a_failed_notification_shows(self):
        # A receiver that answers 404: the notification fails at its first attempt.
        receiver_dir = tempfile.mkdtemp(prefix="jobsched-receiver.")
        self.addCleanup(shutil.rmtree, receiver_dir, True)
        port_file = os.path.join(receiver_dir, "port")
        receiver = subprocess.Popen([sys.executable, RECEIVER, "--port-file", port_file, "--status", "404",
                                     "--log", os.path.join(receiver_dir, "log")], stderr=subprocess.DEVNULL)
        self.addCleanup(receiver.wait)
        self.addCleanup(receiver.kill)
        self.until(lambda: os.path.exists(port_file), "the receiver never started")
        url = f"http://127.0.0.1:{open(port_file).read()}/hook"
        self.open_page()
        self.wait_until_live()
        self.element("#submit-command").send_keys("true")
        self.element("#submit-notify").send_keys(url)
        self.element("#submit-button").click()
        self.until(lambda: "submitted" in self.element("#message").text, "no confirmation")
        job_id = int(self.element("#message").text.split()[1])
        self.assertEqual(self.server.job(job_id)["notify"], url)
        self.until(lambda: (self.server.job(job_id)["notify_status"] or {}).get("status") == "failed", "the notification never failed")
        # The table marks it (after the next change of the job or a reload), the detail says why.
        self.browser.refresh()
        self.wait_until_live()
        self.until(lambda: self.row(job_id) is not None and "notify failed" in self.row(job_id).text, "the row never said notify failed")
        self.open_job(job_id)
        field = lambda key: self.element(f'#job-fields dd[data-field="{key}"]').text
        self.until(lambda: field("notify_status") == "failed (1 attempt: HTTP 404, not retried)", "the detail never said why")
        self.assertEqual(field("notify"), url)
        self.assertEqual(self.console_errors(), [])
        # A refused URL is the server's 400 (which the console logs), shown as an error.
        self.element("#submit-command").send_keys("true")
        self.element("#submit-notify").send_keys("http://169.254.169.254/latest")
        self.element("#submit-button").click()
        self.until(lambda: "link-local" in self.element("#message").text, "the refusal was not shown")

    def group_settings(self, name):
        status, body = self.server.curl("/group?format=json")
        return next(group for group in json.loads(body)["groups"] if group["name"] == name)


class DashboardWithTokenTest(DashboardTest):
    token = "browser-test-token-0123456789"

    # The cases above run again with a token; this one checks the prompt itself.
    def test_the_page_shows_nothing_until_the_right_token_is_entered(self):
        job_id = self.server.submit("echo secret-output")
        self.open_page()
        self.until(lambda: self.element("#token-dialog").is_displayed(), "no token prompt")
        self.assertFalse(self.element("#dashboard").is_displayed())
        self.assertIsNone(self.row(job_id))
        self.element("#token-input").send_keys("wrong-token")
        self.element("#token-submit").click()
        self.until(lambda: self.element("#token-dialog").is_displayed()
                   and self.element("#token-input").get_attribute("value") == "", "a wrong token was not refused")
        self.assertFalse(self.element("#dashboard").is_displayed())
        self.element("#token-input").send_keys(self.token)
        self.element("#token-submit").click()
        self.until(lambda: self.row_status(job_id) == "success", "the right token did not show the jobs")
        self.assertFalse(self.element("#token-dialog").is_displayed())
        # Kept for the session, never in the URL.
        self.assertNotIn(self.token, self.browser.current_url)
        self.browser.refresh()
        self.until(lambda: self.row_status(job_id) == "success", "the token was not kept for the session")

    def open_page(self):
        super().open_page()
        if self._testMethodName != "test_the_page_shows_nothing_until_the_right_token_is_entered":
            self.until(lambda: self.element("#token-dialog").is_displayed(), "no token prompt")
            self.element("#token-input").send_keys(self.token)
            self.element("#token-submit").click()

    def console_errors(self):
        # The 401s that make the page ask for the token are logged by the browser itself.
        return [entry for entry in super().console_errors() if "401" not in entry["message"]]


class DashboardRolesOverTLSTest(unittest.TestCase):
    """The page over https, with tokens of each role: it shows only the controls the token may use."""
    admin = "browser-admin-token-0123456789"
    tokens = {"viewer": ("read", "browser-viewer-token-0123456789"), "ci": ("submit", "browser-ci-token-0123456789")}

    def setUp(self):
        lines = [self.admin] + [f"{name} {role} {secret}" for name, (role, secret) in self.tokens.items()]
        self.server = Server("-j", "2", "--tls-self-signed", token=self.admin, token_lines=lines)
        self.addCleanup(self.server.stop)
        self.browser = start_browser(insecure_certificates=True)
        self.addCleanup(self.browser.quit)
        self.addCleanup(lambda: self.browser.save_screenshot(os.path.join(OUTPUT, self._testMethodName + ".png")))

    until = DashboardTest.until
    element = DashboardTest.element
    row = DashboardTest.row
    row_status = DashboardTest.row_status
    open_job = DashboardTest.open_job

    def open_page_as(self, name):
        self.assertTrue(self.server.url.startswith("https://"))
        self.browser.get(self.server.url + "/")
        self.until(lambda: self.element("#token-dialog").is_displayed(), "no token prompt")
        self.element("#token-input").send_keys(self.tokens[name][1])
        self.element("#token-submit").click()

    def submit_as(self, name, command):
        auth = ["-H", f"Authorization: Bearer {self.tokens[name][1]}"]
        done = subprocess.run(["curl", "-sS", "-m", "60", *self.server.trust, *auth, "--data-urlencode", f"command={command}",
                               self.server.url + "/submit?sync=0"], capture_output=True, text=True, check=True)
        return int(done.stdout)

    def test_a_read_token_sees_no_control_for_changes(self):
        job_id = self.server.submit("true")
        self.open_page_as("viewer")
        self.until(lambda: self.row_status(job_id) == "success", "the jobs never showed over https")
        self.until(lambda: self.row(job_id).find_element(By.CSS_SELECTOR, ".col-owner").text == "admin", "no owner column")
        self.assertFalse(self.element("#submit").is_displayed())
        self.assertFalse(self.element("#toggle-all").is_displayed())
        self.assertEqual(self.browser.find_elements(By.CSS_SELECTOR, ".group-toggle"), [])
        self.open_job(job_id)
        for action in ("kill", "restart", "remove"):
            self.assertFalse(self.element(f"#job-{action}").is_displayed(), action)
        # The server refuses it all the same.
        status, body = self.server.curl("/jobinfo")  # the admin's curl works
        self.assertEqual(status, 200)

    def test_a_submit_token_sees_kill_on_its_own_jobs_only(self):
        gate = os.path.join(self.server.directory, "gate")
        waits = f"while [ ! -e {gate} ]; do sleep 0.05; done"
        own = self.submit_as("ci", waits)
        others = self.server.submit(waits)
        self.open_page_as("ci")
        self.until(lambda: self.row_status(own) == "running" and self.row_status(others) == "running", "the jobs never ran")
        self.assertTrue(self.element("#submit").is_displayed())
        self.assertFalse(self.element("#toggle-all").is_displayed())
        self.open_job(others)
        self.until(lambda: not self.element("#job-kill").is_displayed(), "Kill shown on another's job")
        self.open_job(own)
        self.until(lambda: self.element("#job-kill").is_displayed(), "no Kill on its own job")
        self.element("#job-kill").click()
        self.until(lambda: self.row_status(own) == "killed", "the Kill button did not kill its own job")
        open(gate, "w").close()


if __name__ == "__main__":
    unittest.main()
