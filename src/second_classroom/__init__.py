"""second_classroom: the Second Classroom Transcript (第二课堂成绩单), event-sourced."""
