package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newTaskCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "task",
		Aliases: []string{"tasks"},
		Short:   "List, add and check off an incident's tasks",
	})
	cmd.AddCommand(c.newTaskListCmd(), c.newTaskAddCmd(), c.newTaskDoneCmd("done", true), c.newTaskDoneCmd("undo", false))
	return cmd
}

func (c *cli) newTaskListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list INC",
		Aliases: []string{"ls"},
		Short:   "List an incident's tasks with the IDs the other task commands take",
		Args:    args("INC"),
		RunE: func(cmd *cobra.Command, a []string) error {
			tasks, err := c.client().FindTasks(cmd.Context(), a[0])
			if err != nil {
				return err
			}
			if c.json {
				if tasks == nil {
					tasks = []*warroom.Task{}
				}
				return c.printJSON(map[string]any{"tasks": tasks})
			}
			if len(tasks) == 0 {
				_, err := fmt.Fprintln(c.stdout, "No tasks.")
				return err
			}
			writeTasks(c.stdout, tasks)
			return nil
		},
	}
}

func (c *cli) newTaskAddCmd() *cobra.Command {
	var assignee string
	cmd := &cobra.Command{
		Use:   "add INC TITLE...",
		Short: "Add a task to an incident",
		Args:  argsAtLeast("INC", "TITLE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			t := warroom.Task{Title: strings.Join(a[1:], " ")}
			if assignee != "" {
				id, err := userID(ctx, cl, assignee)
				if err != nil {
					return err
				}
				t.AssigneeID = &id
			}
			if err := cl.AddTask(ctx, a[0], &t); err != nil {
				return err
			}
			return c.output(&t, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Task #%d added to %s: %s\n", t.ID, warroom.FormatNumber(t.IncidentID), t.Title)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&assignee, "assignee", "", "who does it: email, user ID or \"me\"")
	return cmd
}

// newTaskDoneCmd returns "done" (done is true) or "undo".
func (c *cli) newTaskDoneCmd(name string, done bool) *cobra.Command {
	short := "Check off a task"
	if !done {
		short = "Reopen a task that was checked off"
	}
	return &cobra.Command{
		Use:   name + " INC TASK-ID",
		Short: short,
		Args:  args("INC", "TASK-ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[1], "task", "warroom incident task list "+a[0])
			if err != nil {
				return err
			}
			t, err := c.client().UpdateTask(cmd.Context(), a[0], id, warroom.TaskUpdate{Done: &done})
			if err != nil {
				return err
			}
			return c.output(t, func(w io.Writer) error {
				state := "done"
				if !t.Done {
					state = "open again"
				}
				_, err := fmt.Fprintf(w, "Task #%d is %s: %s\n", t.ID, state, t.Title)
				return err
			})
		},
	}
}
