package notify

import (
	"encoding/json"
	"fmt"
	"slices"
)

// VendorResult reads the {"errcode":…, "errmsg":…} or {"code":…, "msg":…}
// answer that DingTalk, WeCom and Feishu send with HTTP 200, and turns a
// non-zero code into an error, retryable when the code is one of retryable
// (their rate-limit codes).
func VendorResult(body []byte, retryable ...int) (bool, error) {
	var r struct {
		ErrCode    *int   `json:"errcode"`
		ErrMsg     string `json:"errmsg"`
		Code       *int   `json:"code"`
		Msg        string `json:"msg"`
		StatusCode *int   `json:"StatusCode"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return true, fmt.Errorf("unreadable answer %q: %w", snippet(body), err)
	}
	code, msg := 0, ""
	switch {
	case r.ErrCode != nil:
		code, msg = *r.ErrCode, r.ErrMsg
	case r.Code != nil:
		code, msg = *r.Code, r.Msg
	case r.StatusCode != nil:
		code, msg = *r.StatusCode, r.Msg
	}
	if code == 0 {
		return false, nil
	}
	return slices.Contains(retryable, code), fmt.Errorf("receiver answered code %d: %s", code, msg)
}
