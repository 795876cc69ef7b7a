package main

// The peers and Sluice implementations the workloads use, imported for
// their registrations.
import (
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
	_ "github.com/redpanda-data/benthos/v4/public/service"
)
