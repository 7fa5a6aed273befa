EXTRA_DIST += docs/architecture.md docs/development.md docs/simulator.md docs/performance.md \
	docs/telemetry.md docs/flow-inspector.md docs/firefly.md docs/vm.md docs/blueman.md
EXTRA_DIST += scenarios/README.md
