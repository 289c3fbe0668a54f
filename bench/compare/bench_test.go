package compare

import (
	"context"
	"fmt"
	"testing"

	"github.com/actionable-go/actionable/actions"
)

// BenchmarkCompare resolves the bench object over each catalog with each
// engine: every action's condition is evaluated and the applicable actions
// are collected. The engine key comes first in the names' order of
// appearance with expr, the floor, so that benchstat -col /engine compares
// the others with it.
func BenchmarkCompare(b *testing.B) {
	catalogs := []catalog{nonDiscriminating(10), nonDiscriminating(100), nonDiscriminating(1000), discriminating(1000)}
	for _, cat := range catalogs {
		prefix := fmt.Sprintf("catalog=%s/actions=%d/engine=", cat.name, len(cat.rules))
		b.Run(prefix+"expr", func(b *testing.B) {
			e, err := newExpr(cat.rules)
			if err != nil {
				b.Fatal(err)
			}
			benchIDs(b, cat, e.resolve)
		})
		b.Run(prefix+"actionable", func(b *testing.B) {
			e, err := newActionable(cat.rules)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				list, err := e.resolve(ctx, cat.ticket, benchActor)
				if err != nil {
					b.Fatal(err)
				}
				if len(list) != cat.want {
					b.Fatalf("%d applicable, want %d", len(list), cat.want)
				}
			}
		})
		b.Run(prefix+"cel", func(b *testing.B) {
			e, err := newCEL(cat.rules)
			if err != nil {
				b.Fatal(err)
			}
			benchIDs(b, cat, e.resolve)
		})
		b.Run(prefix+"govaluate", func(b *testing.B) {
			e, err := newGovaluate(cat.rules)
			if err != nil {
				b.Fatal(err)
			}
			benchIDs(b, cat, e.resolve)
		})
	}
}

func benchIDs(b *testing.B, cat catalog, resolve func(Ticket, actions.Actor) ([]string, error)) {
	b.ReportAllocs()
	for b.Loop() {
		ids, err := resolve(cat.ticket, benchActor)
		if err != nil {
			b.Fatal(err)
		}
		if len(ids) != cat.want {
			b.Fatalf("%d applicable, want %d", len(ids), cat.want)
		}
	}
}
