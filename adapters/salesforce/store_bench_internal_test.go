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
	ms := actions.NewMemoryStore[Link]()
	ml := new(MemoryLinks)
	if _, err := ms.Create(ctx, l.ID, l); err != nil {
		b.Fatal(err)
	}
	if _, err := ml.Create(ctx, l.ID, l); err != nil {
		b.Fatal(err)
	}
	var sink Link
	b.Run("MemoryStore", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _ = ms.Load(ctx, l.ID)
		}
	})
	b.Run("MemoryLinks", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _ = ml.Load(ctx, l.ID)
		}
	})
	b.Run("MemoryStoreNoHeaders", func(b *testing.B) {
		l := l
		l.ID, l.Headers = "0An000000000002AAA", nil
		if _, err := ms.Create(ctx, l.ID, l); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _ = ms.Load(ctx, l.ID)
		}
	})
	b.Run("MemoryLinksNoHeaders", func(b *testing.B) {
		l := l
		l.ID, l.Headers = "0An000000000002AAA", nil
		if _, err := ml.Create(ctx, l.ID, l); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _ = ml.Load(ctx, l.ID)
		}
	})
	_ = sink
}
