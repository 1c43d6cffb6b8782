"""In-process work through the eventsourcing library: the baseline rate of
the same aggregate commands the HTTP mix sends, and fast seeding of many
orders (500 aggregates per ``save``) for the board and rebuild figures."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.application import Gendan
from app.config import Settings
from app.domain.customer import Customer
from app.domain.order import Order
from app.domain.values import Actor
from bench.report import CpuMeter

MANAGER = Actor("bench.manager", "manager")
ACCOUNTANT = Actor("bench.accountant", "accountant")
MERCHANDISER = Actor("bench.merchandiser", "merchandiser")

LINES = [{"sku": "NW-45G", "description": "spunbond nonwoven 45 gsm",
          "quantity": Decimal("10000"), "unit": "m", "unit_price": Decimal("0.85")}]
TERMS = {"method": "TT", "deposit_percent": Decimal("30")}
COSTS = [{"item": "fabric", "amount": Decimal("8000.00"), "currency": "USD"}]
COUNTRIES = ("DE", "US", "CN", "GB", "FR", "JP", "BR", "IN", "AU", "NG", "AE", "NL")

# The commands on existing orders, as in the HTTP mix (same weights).
COMMAND_WEIGHTS = {"payment": 50, "sample": 25, "cost": 25}


def command_for(name: str) -> Any:
    if name == "payment":
        return lambda o: o.record_payment("deposit", Decimal("1.00"), "USD", date(2027, 1, 15),
                                          "TT-BENCH", ACCOUNTANT)
    if name == "sample":
        return lambda o: o.request_sample("style", MERCHANDISER)
    return lambda o: o.analyse_costs(COSTS, {}, ACCOUNTANT)


def baseline(settings: Settings, count: int, seed: int = 1) -> dict[str, float]:
    """(a) create_order, (b) update_order (load + one command + save), one
    thread, ``count`` each, through ``Gendan(settings)`` directly."""
    rng = random.Random(seed)
    gendan = Gendan(settings)
    try:
        customer = gendan.customers.register_customer("Nordwind GmbH", "DE", MANAGER).view
        ids = []
        t0 = time.perf_counter()
        for i in range(count):
            result = gendan.orders.create_order(
                reference=f"LIB-{i}", customer_id=customer["id"], currency="USD",
                incoterm="FOB", delivery_date=date(2027, 3, 1), samples_required=True,
                payment_terms=dict(TERMS), lines=[dict(line) for line in LINES], actor=MERCHANDISER,
            )
            ids.append(result.view["id"])
        create_s = time.perf_counter() - t0
        names = rng.choices(list(COMMAND_WEIGHTS), weights=list(COMMAND_WEIGHTS.values()), k=count)
        targets = [ids[rng.randrange(len(ids))] for _ in range(count)]
        meter = CpuMeter(None, settings.is_postgres)
        meter.start()
        t0 = time.perf_counter()
        for name, order_id in zip(names, targets):
            gendan.store.update(order_id, Order, "Order", command_for(name), gendan.orders.view)
        update_s = time.perf_counter() - t0
        cpu = meter.stop()
    finally:
        gendan.close()
    return {"create_per_s": count / create_s, "command_per_s": count / update_s,
            "command_cpu_ms": cpu["client"] / 100 * update_s / count * 1000,
            "command_db_cpu_ms": cpu["db"] / 100 * update_s / count * 1000,
            "other": cpu["other"]}


class Seeder:
    """Adds orders straight through the library, ``batch`` aggregates per save.

    Most orders stay in ``inquiry`` (one event); the others reach sampling,
    confirmed, cancelled or in_production, and about a fifth are due in the
    past, so the board's state and overdue filters select real rows."""

    def __init__(self, settings: Settings, seed: int = 7, customers: int = 200,
                 batch: int = 500):
        self.settings = settings
        self.rng = random.Random(seed)
        self.batch = batch
        self.n_customers = customers
        self.customers: list[Customer] = []
        self.serial = 0
        self.today = date.today()

    def _order(self, gendan: Gendan) -> Order:
        rng = self.rng
        customer = self.customers[rng.randrange(len(self.customers))]
        self.serial += 1
        kind = rng.random()
        in_production = kind >= 0.94
        order = Order.create(
            reference=f"SEED-{self.serial:07d}", customer_id=customer.id,
            customer_country=customer.country, customer_region=customer.region,
            currency="USD", incoterm=rng.choice(("FOB", "CIF", "EXW", "DDP")),
            delivery_date=self.today + timedelta(days=rng.randint(-90, 365)),
            samples_required=(not in_production) and rng.random() < 0.5,
            payment_terms=dict(TERMS),
            lines=[{**LINES[0], "quantity": Decimal(rng.randint(1000, 11000))}],
            policy=gendan.policy, actor=MERCHANDISER,
        )
        if kind < 0.82:
            pass                                         # inquiry
        elif kind < 0.86:
            order.request_sample("pre_production", MERCHANDISER)        # sampling
        elif kind < 0.90:
            cost = (order.total * Decimal("0.9")).quantize(Decimal("0.01"))   # margin 10 %
            order.analyse_costs([{**COSTS[0], "amount": cost}], {}, ACCOUNTANT)  # G2
            order.confirm("bench: confirmed by phone", gendan.policy, MANAGER)
        elif kind < 0.94:
            order.cancel("bench: customer withdrew", MANAGER)
        else:                                            # in_production
            cost = (order.total * Decimal("0.9")).quantize(Decimal("0.01"))   # margin 10 %
            order.analyse_costs([{**COSTS[0], "amount": cost}], {}, ACCOUNTANT)
            order.confirm("bench: confirmed by phone", gendan.policy, MANAGER)
            # G2: production release needs the detailed analysis, made after
            # confirmation; issue 11: and a production notice.
            order.analyse_costs([{**COSTS[0], "amount": cost}], {}, ACCOUNTANT)
            order.record_payment("deposit", order.deposit_due, "USD", self.today,
                                 f"TT-{self.serial}", ACCOUNTANT)
            order.draft_production_notice(
                {"name": "Own workshop", "kind": "own"},
                {"quality": "as the approved sample", "packaging": "export cartons",
                 "shipping_marks": "as on the PI"},
                [{"line_no": line["line_no"], "colour": "natural", "size": "std",
                  "quantity": line["quantity"]} for line in order.lines], None, MERCHANDISER)
            order.release_production(gendan.policy, MANAGER)
        return order

    def add(self, orders: int) -> dict[str, float]:
        """Save ``orders`` more orders (and the customers on first use)."""
        gendan = Gendan(self.settings)
        events = 0
        try:
            t0 = time.perf_counter()
            if not self.customers:
                self.customers = [
                    Customer.register(f"Seed customer {i}", COUNTRIES[i % len(COUNTRIES)], MANAGER)
                    for i in range(self.n_customers)
                ]
                gendan.store.save(*self.customers)
                events += len(self.customers)
            done = 0
            while done < orders:
                batch = [self._order(gendan) for _ in range(min(self.batch, orders - done))]
                events += sum(len(o.pending_events) for o in batch)
                gendan.store.save(*batch)
                done += len(batch)
            seconds = time.perf_counter() - t0
        finally:
            gendan.close()
        return {"orders": orders, "events": events, "seconds": seconds}
