package salesforce

import (
	"context"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
)

// BenchmarkLinkLoad loads a link, with and without headers, from a
// MemoryLinks and from an actions.MemoryStore[Link], whose copy MemoryLinks
// saves (every GET of a link loads one):
//
//	go test -run '^$' -bench LinkLoad -benchmem ./adapters/salesforce/
func BenchmarkLinkLoad(b *testing.B) {
	ctx := context.Background()
	l := Link{ID: "0An000000000001AAA", GroupID: "0Ag000000000001AAA", ActionType: TypeAPI, ActionURL: "https://x.example/{!actionLinkId}",
		Method: "HttpPost", LabelKey: "Approve", RequiresConfirmation: true, Headers: []RequestHeader{{Name: "Content-Type", Value: "application/json"}, {Name: "Authorization", Value: "OAuth x"}},
		RequestBody: `{"a":1}`, ExecutionsAllowed: ExecutionsOnce, ExpirationDate: time.Now(), Created: time.Now()}
	// The same link without headers, under its own id.
	bare := l
	bare.ID, bare.Headers = "0An000000000002AAA", nil
	stores := []struct {
		name  string
		store interface {
			Create(context.Context, string, Link) (int64, error)
			Load(context.Context, string) (Link, int64, error)
		}
	}{{"MemoryStore", actions.NewMemoryStore[Link]()}, {"MemoryLinks", new(MemoryLinks)}}
	for _, st := range stores {
		for _, link := range []Link{l, bare} {
			if _, err := st.store.Create(ctx, link.ID, link); err != nil {
				b.Fatal(err)
			}
		}
	}
	var sink Link
	for _, c := range []struct{ suffix, id string }{{"", l.ID}, {"NoHeaders", bare.ID}} {
		for _, st := range stores {
			b.Run(st.name+c.suffix, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					sink, _, _ = st.store.Load(ctx, c.id)
				}
			})
		}
	}
	_ = sink
}
