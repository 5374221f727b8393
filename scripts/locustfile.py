"""Load profile for `scripts/bench_serve.py`: recommendation reads at a fixed rate, plus rating writes.

Readers ask, at a constant throughput, for a random MovieLens user's recommendations (optionally
genre-filtered) with the admin key (BENCH_ADMIN_KEY); writers sign in as a random MovieLens user (demo
login) and rate movies. Rates are set by the environment: BENCH_READ_RPS_PER_USER,
BENCH_WRITE_RPS_PER_USER.
"""

from __future__ import annotations

import os
import random

from locust import FastHttpUser, constant_throughput, task

GENRE_CHOICES = ["", "", "", "Action", "Comedy,Romance", "Sci-Fi", "Drama,War", "Horror,Thriller"]
MOVIE_IDS = range(1, 1683)


class RecommendationReader(FastHttpUser):
    wait_time = constant_throughput(float(os.environ.get("BENCH_READ_RPS_PER_USER", "10")))
    headers = {"X-Admin-Key": os.environ.get("BENCH_ADMIN_KEY", "")}

    @task
    def recommendations(self) -> None:
        params = {"user_id": random.randint(1, 943), "k": 20}
        genres = random.choice(GENRE_CHOICES)
        if genres:
            params["genres"] = genres
        self.client.get("/recommendations", params=params, headers=self.headers, name="GET /recommendations")


class RatingWriter(FastHttpUser):
    wait_time = constant_throughput(float(os.environ.get("BENCH_WRITE_RPS_PER_USER", "5")))
    fixed_count = int(os.environ.get("BENCH_WRITERS", "2"))

    def on_start(self) -> None:
        self.user_id = random.randint(1, 943)
        token = self.client.post("/auth/demo", json={"user_id": self.user_id}).json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    @task
    def rate(self) -> None:
        body = {
            "user_id": self.user_id,
            "movie_id": random.choice(MOVIE_IDS),
            "rating": random.randint(1, 10) / 2,
        }
        self.client.post("/ratings", json=body, headers=self.headers, name="POST /ratings")
