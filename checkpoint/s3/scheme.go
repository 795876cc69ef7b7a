package s3

import (
	"context"
	"net/url"

	"github.com/sluicestream/sluice/checkpoint"
)

// init makes checkpoint.Open accept "s3://bucket/prefix" locations, with
// credentials, region and endpoint from the environment (OptionsFromURL).
func init() {
	checkpoint.RegisterScheme("s3", openURL)
}

func openURL(ctx context.Context, u *url.URL) (checkpoint.Storage, error) {
	o, err := OptionsFromURL(u)
	if err != nil {
		return nil, err
	}
	return New(ctx, o)
}
