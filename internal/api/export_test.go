package api

// ObjectParamChecked reports whether a path parameter other than {id} is
// either grant-checked for scoped users or a child the store finds under
// the object in {id}.
func ObjectParamChecked(name string) bool {
	return objectParams[name] != nil || childParams[name]
}
